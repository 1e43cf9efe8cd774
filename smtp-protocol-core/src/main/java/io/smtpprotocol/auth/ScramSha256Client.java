package io.smtpprotocol.auth;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * The client side of SCRAM-SHA-256 (RFC 5802, RFC 7677) without channel binding ({@code n,,}). The
 * exchange is complete only once the server's signature has been checked.
 */
final class ScramSha256Client implements SaslClientExchange {

  private static final String GS2_HEADER = "n,,";

  private enum State {
    SERVER_FIRST,
    SERVER_FINAL,
    VERIFIED
  }

  private final String password;
  private final String clientFirstBare;
  private final String clientNonce;
  private State state = State.SERVER_FIRST;
  private byte @Nullable [] expectedServerSignature;

  ScramSha256Client(String user, String password) {
    this(user, password, randomNonce());
  }

  /** For tests: a fixed client nonce. */
  ScramSha256Client(String user, String password, String clientNonce) {
    this.password = password;
    this.clientNonce = clientNonce;
    this.clientFirstBare = "n=" + saslName(SaslPrep.prepare(user)) + ",r=" + clientNonce;
  }

  private static String randomNonce() {
    byte[] n = new byte[18];
    new SecureRandom().nextBytes(n);
    return Base64.getEncoder().encodeToString(n);
  }

  /** Escapes {@code =} and {@code ,} in a user name (RFC 5802 section 5.1). */
  static String saslName(String user) {
    return user.replace("=", "=3D").replace(",", "=2C");
  }

  @Override
  public String mechanism() {
    return "SCRAM-SHA-256";
  }

  @Override
  public byte[] initialResponse() {
    return SaslText.bytes(GS2_HEADER + clientFirstBare);
  }

  @Override
  public byte[] respond(byte[] challenge) {
    String message = SaslText.utf8(challenge);
    if (message == null) {
      throw new IllegalArgumentException("SCRAM-SHA-256: challenge is not UTF-8");
    }
    return switch (state) {
      case SERVER_FIRST -> serverFirst(message);
      case SERVER_FINAL -> serverFinal(message);
      case VERIFIED -> throw new IllegalArgumentException("SCRAM-SHA-256: challenge after the end");
    };
  }

  private byte[] serverFirst(String serverFirst) {
    if (serverFirst.isEmpty()) {
      // a server that did not take the initial response asks for it
      return initialResponse();
    }
    String nonce = null;
    String salt = null;
    String iterations = null;
    for (String attr : serverFirst.split(",", -1)) {
      if (attr.startsWith("m=")) {
        throw new IllegalArgumentException("SCRAM-SHA-256: unsupported mandatory extension");
      } else if (attr.startsWith("r=")) {
        nonce = attr.substring(2);
      } else if (attr.startsWith("s=")) {
        salt = attr.substring(2);
      } else if (attr.startsWith("i=")) {
        iterations = attr.substring(2);
      }
    }
    if (nonce == null || salt == null || iterations == null) {
      throw new IllegalArgumentException("SCRAM-SHA-256: server-first message lacks r, s or i");
    }
    if (!nonce.startsWith(clientNonce) || nonce.length() == clientNonce.length()) {
      throw new IllegalArgumentException(
          "SCRAM-SHA-256: server nonce does not extend the client's");
    }
    byte[] saltBytes;
    int count;
    try {
      saltBytes = Base64.getDecoder().decode(salt);
      count = Integer.parseInt(iterations);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("SCRAM-SHA-256: malformed salt or iteration count", e);
    }
    if (count < 1 || count > 1_000_000 || saltBytes.length == 0) {
      throw new IllegalArgumentException("SCRAM-SHA-256: iteration count or salt out of range");
    }
    String withoutProof =
        "c=" + Base64.getEncoder().encodeToString(SaslText.bytes(GS2_HEADER)) + ",r=" + nonce;
    byte[] authMessage = SaslText.bytes(clientFirstBare + "," + serverFirst + "," + withoutProof);
    byte[] salted = ScramCredential.saltedPassword(password, saltBytes, count);
    byte[] clientKey = ScramCredential.hmac(salted, "Client Key");
    byte[] storedKey = ScramCredential.sha256(clientKey);
    byte[] clientSignature = ScramCredential.hmac(storedKey, authMessage);
    byte[] proof = new byte[clientKey.length];
    for (int i = 0; i < proof.length; i++) {
      proof[i] = (byte) (clientKey[i] ^ clientSignature[i]);
    }
    expectedServerSignature =
        ScramCredential.hmac(ScramCredential.hmac(salted, "Server Key"), authMessage);
    state = State.SERVER_FINAL;
    return SaslText.bytes(withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof));
  }

  private byte[] serverFinal(String serverFinal) {
    if (serverFinal.startsWith("e=")) {
      throw new IllegalArgumentException("SCRAM-SHA-256: server error " + serverFinal.substring(2));
    }
    if (!serverFinal.startsWith("v=")) {
      throw new IllegalArgumentException("SCRAM-SHA-256: server-final message lacks v");
    }
    int end = serverFinal.indexOf(',');
    byte[] signature;
    try {
      signature =
          Base64.getDecoder()
              .decode(serverFinal.substring(2, end < 0 ? serverFinal.length() : end));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("SCRAM-SHA-256: malformed server signature", e);
    }
    byte[] expected = expectedServerSignature;
    if (expected == null || !MessageDigest.isEqual(expected, signature)) {
      throw new IllegalArgumentException("SCRAM-SHA-256: the server's signature does not verify");
    }
    state = State.VERIFIED;
    return new byte[0];
  }

  @Override
  public boolean complete() {
    return state == State.VERIFIED;
  }
}
