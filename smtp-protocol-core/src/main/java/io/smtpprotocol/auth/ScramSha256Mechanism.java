package io.smtpprotocol.auth;

import io.smtpprotocol.handler.SessionInfo;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * SCRAM-SHA-256 (RFC 5802, RFC 7677) without channel binding: the client must send the GS2 header
 * {@code n,,} (or {@code y,,}, as no {@code -PLUS} variant is offered). The server proves that it
 * knows the credential too, with its signature in a last {@code 334} that the client answers with
 * an empty line.
 *
 * <p>For an unknown user the exchange goes on with a salt that is stable for that name, so that the
 * server-first message does not tell whether the user exists.
 */
final class ScramSha256Mechanism implements SaslMechanism {

  private final SecureRandom random = new SecureRandom();
  private final byte[] secret = new byte[32];
  private final Supplier<String> nonces;

  ScramSha256Mechanism() {
    random.nextBytes(secret);
    this.nonces =
        () -> {
          byte[] n = new byte[18];
          random.nextBytes(n);
          return Base64.getEncoder().encodeToString(n);
        };
  }

  /** For tests: fixed server nonces. */
  ScramSha256Mechanism(Supplier<String> nonces) {
    random.nextBytes(secret);
    this.nonces = nonces;
  }

  @Override
  public String name() {
    return "SCRAM-SHA-256";
  }

  @Override
  public SaslExchange start(SessionInfo session, Authenticator authenticator, String serverName) {
    return new Exchange(session, authenticator);
  }

  private enum State {
    CLIENT_FIRST,
    CLIENT_FINAL,
    VERIFIED,
    DONE
  }

  private final class Exchange implements SaslExchange {
    private final SessionInfo session;
    private final Authenticator authenticator;
    private State state = State.CLIENT_FIRST;
    private boolean challenged;
    private String gs2Header = "";
    private String user = "";
    private String clientFirstBare = "";
    private String serverFirst = "";
    private String nonce = "";
    private @Nullable ScramCredential credential;

    Exchange(SessionInfo session, Authenticator authenticator) {
      this.session = session;
      this.authenticator = authenticator;
    }

    @Override
    public CompletionStage<SaslStep> respond(byte @Nullable [] response) {
      switch (state) {
        case CLIENT_FIRST:
          if (response == null) {
            if (challenged) {
              return fail(SaslStep.malformed());
            }
            challenged = true;
            return SaslText.done(SaslStep.challenge(new byte[0]));
          }
          return clientFirst(response);
        case CLIENT_FINAL:
          return SaslText.done(clientFinal(response));
        case VERIFIED:
          state = State.DONE;
          return SaslText.done(
              response != null && response.length == 0
                  ? SaslStep.success(user)
                  : SaslStep.malformed());
        default:
          return fail(SaslStep.malformed());
      }
    }

    private CompletionStage<SaslStep> fail(SaslStep step) {
      state = State.DONE;
      return SaslText.done(step);
    }

    private CompletionStage<SaslStep> clientFirst(byte[] response) {
      String message = SaslText.utf8(response);
      if (message == null) {
        return fail(SaslStep.malformed());
      }
      // gs2-header: ("n" / "y") "," [ "a=" saslname ] ","
      int c1 = message.indexOf(',');
      int c2 = c1 < 0 ? -1 : message.indexOf(',', c1 + 1);
      if (c2 < 0) {
        return fail(SaslStep.malformed());
      }
      String flag = message.substring(0, c1);
      if (flag.startsWith("p=")) {
        return fail(SaslStep.failure()); // channel binding is not offered
      }
      if (!flag.equals("n") && !flag.equals("y")) {
        return fail(SaslStep.malformed());
      }
      String authzid = message.substring(c1 + 1, c2);
      if (!authzid.isEmpty() && !authzid.startsWith("a=")) {
        return fail(SaslStep.malformed());
      }
      gs2Header = message.substring(0, c2 + 1);
      clientFirstBare = message.substring(c2 + 1);
      String[] attrs = clientFirstBare.split(",", -1);
      if (attrs.length < 2 || !attrs[0].startsWith("n=") || !attrs[1].startsWith("r=")) {
        return fail(SaslStep.malformed()); // also refuses the reserved "m=" extension
      }
      String name = saslName(attrs[0].substring(2));
      String clientNonce = attrs[1].substring(2);
      if (name == null || name.isEmpty() || !printable(clientNonce)) {
        return fail(SaslStep.malformed());
      }
      if (!authzid.isEmpty()) {
        String asked = saslName(authzid.substring(2));
        if (asked == null || !asked.equals(name)) {
          return fail(SaslStep.failure()); // acting as another user is not supported
        }
      }
      user = name;
      nonce = clientNonce + nonces.get();
      return authenticator
          .scramCredential(session, name)
          .thenApply(
              found -> {
                credential = found.orElse(null);
                byte[] salt;
                int iterations;
                if (credential != null) {
                  salt = credential.salt();
                  iterations = credential.iterations();
                } else {
                  salt = decoySalt(name);
                  iterations = ScramCredential.DEFAULT_ITERATIONS;
                }
                serverFirst =
                    "r="
                        + nonce
                        + ",s="
                        + Base64.getEncoder().encodeToString(salt)
                        + ",i="
                        + iterations;
                state = State.CLIENT_FINAL;
                return SaslStep.challenge(SaslText.bytes(serverFirst));
              });
    }

    private SaslStep clientFinal(byte @Nullable [] response) {
      state = State.DONE;
      String message = response == null ? null : SaslText.utf8(response);
      if (message == null) {
        return SaslStep.malformed();
      }
      int proofAt = message.lastIndexOf(",p=");
      if (proofAt < 0) {
        return SaslStep.malformed();
      }
      String withoutProof = message.substring(0, proofAt);
      String[] attrs = withoutProof.split(",", -1);
      if (attrs.length < 2 || !attrs[0].startsWith("c=") || !attrs[1].startsWith("r=")) {
        return SaslStep.malformed();
      }
      byte[] binding;
      byte[] proof;
      try {
        binding = Base64.getDecoder().decode(attrs[0].substring(2));
        proof = Base64.getDecoder().decode(message.substring(proofAt + 3));
      } catch (IllegalArgumentException e) {
        return SaslStep.malformed();
      }
      if (!MessageDigest.isEqual(binding, SaslText.bytes(gs2Header))
          || !attrs[1].substring(2).equals(nonce)) {
        return SaslStep.failure();
      }
      ScramCredential known = credential;
      if (known == null || proof.length != 32) {
        return SaslStep.failure();
      }
      byte[] authMessage = SaslText.bytes(clientFirstBare + "," + serverFirst + "," + withoutProof);
      byte[] storedKey = known.storedKey();
      byte[] clientSignature = ScramCredential.hmac(storedKey, authMessage);
      byte[] clientKey = new byte[32];
      for (int i = 0; i < 32; i++) {
        clientKey[i] = (byte) (proof[i] ^ clientSignature[i]);
      }
      if (!MessageDigest.isEqual(ScramCredential.sha256(clientKey), storedKey)) {
        return SaslStep.failure();
      }
      byte[] serverSignature = ScramCredential.hmac(known.serverKey(), authMessage);
      state = State.VERIFIED;
      return SaslStep.challenge(
          SaslText.bytes("v=" + Base64.getEncoder().encodeToString(serverSignature)));
    }

    private byte[] decoySalt(String name) {
      byte[] mac = ScramCredential.hmac(secret, name);
      byte[] salt = new byte[16];
      System.arraycopy(mac, 0, salt, 0, 16);
      return salt;
    }
  }

  /** Decodes a saslname ({@code =2C} and {@code =3D}) and applies SASLprep; null if malformed. */
  static @Nullable String saslName(String text) {
    StringBuilder sb = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == ',') {
        return null;
      }
      if (c == '=') {
        if (text.startsWith("=2C", i)) {
          sb.append(',');
        } else if (text.startsWith("=3D", i)) {
          sb.append('=');
        } else {
          return null;
        }
        i += 2;
      } else {
        sb.append(c);
      }
    }
    try {
      return SaslPrep.prepare(sb.toString());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static boolean printable(String nonce) {
    if (nonce.isEmpty()) {
      return false;
    }
    for (int i = 0; i < nonce.length(); i++) {
      char c = nonce.charAt(i);
      if (c < 0x21 || c > 0x7e || c == ',') {
        return false;
      }
    }
    return true;
  }
}
