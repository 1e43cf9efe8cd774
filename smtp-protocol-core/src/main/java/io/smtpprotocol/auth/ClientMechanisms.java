package io.smtpprotocol.auth;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/** The client side of PLAIN, LOGIN, CRAM-MD5 and XOAUTH2. */
final class ClientMechanisms {

  private ClientMechanisms() {}

  /** RFC 4616: {@code NUL user NUL password} as the initial response. */
  static SaslClientExchange plain(String user, String password) {
    byte[] message = SaslText.bytes("\0" + user + "\0" + password);
    return new OneShot("PLAIN", message);
  }

  /** RFC 7628-like XOAUTH2: one message, and an empty answer to the error challenge. */
  static SaslClientExchange xoauth2(String user, String token) {
    byte[] message = SaslText.bytes("user=" + user + "\u0001auth=Bearer " + token + "\u0001\u0001");
    return new OneShot("XOAUTH2", message) {
      @Override
      public byte[] respond(byte[] challenge) {
        // the server's JSON error: answer with an empty line to get the failure reply
        return new byte[0];
      }
    };
  }

  /** The user name, then the password, each in answer to a challenge. */
  static SaslClientExchange login(String user, String password) {
    return new SaslClientExchange() {
      private int step;

      @Override
      public String mechanism() {
        return "LOGIN";
      }

      @Override
      public byte @Nullable [] initialResponse() {
        return null;
      }

      @Override
      public byte[] respond(byte[] challenge) {
        step++;
        if (step == 1) {
          return SaslText.bytes(user);
        }
        if (step == 2) {
          return SaslText.bytes(password);
        }
        throw new IllegalArgumentException("LOGIN: unexpected third challenge");
      }

      @Override
      public boolean complete() {
        return step == 2;
      }
    };
  }

  /** RFC 2195: {@code user SP hex(HMAC-MD5(password, challenge))}. */
  static SaslClientExchange cramMd5(String user, String password) {
    return new SaslClientExchange() {
      private boolean answered;

      @Override
      public String mechanism() {
        return "CRAM-MD5";
      }

      @Override
      public byte @Nullable [] initialResponse() {
        return null;
      }

      @Override
      public byte[] respond(byte[] challenge) {
        if (answered) {
          throw new IllegalArgumentException("CRAM-MD5: unexpected second challenge");
        }
        if (challenge.length == 0) {
          throw new IllegalArgumentException("CRAM-MD5: empty challenge");
        }
        answered = true;
        byte[] digest = CramMd5Mechanism.hmacMd5(password, challenge);
        if (digest.length == 0) {
          throw new IllegalArgumentException("CRAM-MD5: the password must not be empty");
        }
        return (user + " " + HexFormat.of().formatHex(digest)).getBytes(StandardCharsets.UTF_8);
      }

      @Override
      public boolean complete() {
        return answered;
      }
    };
  }

  /** A mechanism that says everything in its initial response. */
  private static class OneShot implements SaslClientExchange {
    private final String name;
    private final byte[] message;

    OneShot(String name, byte[] message) {
      this.name = name;
      this.message = message;
    }

    @Override
    public String mechanism() {
      return name;
    }

    @Override
    public byte @Nullable [] initialResponse() {
      return message.clone();
    }

    @Override
    public byte[] respond(byte[] challenge) {
      // some servers ask with an empty challenge before taking the message
      if (challenge.length == 0) {
        return message.clone();
      }
      throw new IllegalArgumentException(name + ": unexpected challenge");
    }

    @Override
    public boolean complete() {
      return true;
    }
  }
}
