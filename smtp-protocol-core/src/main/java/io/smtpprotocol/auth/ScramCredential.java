package io.smtpprotocol.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A SCRAM-SHA-256 credential as a server stores it (RFC 5802 section 3): the salt, the iteration
 * count, {@code StoredKey} and {@code ServerKey}. The password itself is not kept and cannot be
 * recovered from it.
 *
 * <p>{@link #encode()} gives the RFC 5803 text form, {@code
 * SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>} (base64), which {@link #parse} reads
 * back.
 *
 * @param salt the salt
 * @param iterations the PBKDF2 iteration count, at least 4096 recommended (RFC 7677)
 * @param storedKey {@code H(HMAC(SaltedPassword, "Client Key"))}
 * @param serverKey {@code HMAC(SaltedPassword, "Server Key")}
 */
public record ScramCredential(byte[] salt, int iterations, byte[] storedKey, byte[] serverKey) {

  /** The iteration count {@link #derive(String)} uses. */
  public static final int DEFAULT_ITERATIONS = 4096;

  private static final String PREFIX = "SCRAM-SHA-256$";

  public ScramCredential {
    if (salt.length == 0) {
      throw new IllegalArgumentException("salt must not be empty");
    }
    if (iterations < 1) {
      throw new IllegalArgumentException("iterations must be positive: " + iterations);
    }
    if (storedKey.length != 32 || serverKey.length != 32) {
      throw new IllegalArgumentException("storedKey and serverKey must be 32 octets (SHA-256)");
    }
    salt = salt.clone();
    storedKey = storedKey.clone();
    serverKey = serverKey.clone();
  }

  /** A credential for {@code password} with a new random salt and {@link #DEFAULT_ITERATIONS}. */
  public static ScramCredential derive(String password) {
    byte[] salt = new byte[16];
    new SecureRandom().nextBytes(salt);
    return derive(password, salt, DEFAULT_ITERATIONS);
  }

  /** The credential for {@code password} with this salt and iteration count. */
  public static ScramCredential derive(String password, byte[] salt, int iterations) {
    byte[] salted = saltedPassword(password, salt, iterations);
    byte[] clientKey = hmac(salted, "Client Key");
    return new ScramCredential(salt, iterations, sha256(clientKey), hmac(salted, "Server Key"));
  }

  /** Reads the RFC 5803 text form written by {@link #encode()}. */
  public static ScramCredential parse(String text) {
    if (!text.startsWith(PREFIX)) {
      throw new IllegalArgumentException("not a SCRAM-SHA-256 credential");
    }
    String[] halves = text.substring(PREFIX.length()).split("\\$", -1);
    if (halves.length != 2) {
      throw new IllegalArgumentException("SCRAM credential must be iterations:salt$stored:server");
    }
    String[] first = halves[0].split(":", -1);
    String[] second = halves[1].split(":", -1);
    if (first.length != 2 || second.length != 2) {
      throw new IllegalArgumentException("SCRAM credential must be iterations:salt$stored:server");
    }
    try {
      Base64.Decoder b64 = Base64.getDecoder();
      return new ScramCredential(
          b64.decode(first[1]),
          Integer.parseInt(first[0]),
          b64.decode(second[0]),
          b64.decode(second[1]));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("malformed SCRAM credential: " + e.getMessage(), e);
    }
  }

  /** The RFC 5803 text form. */
  public String encode() {
    Base64.Encoder b64 = Base64.getEncoder();
    return PREFIX
        + iterations
        + ':'
        + b64.encodeToString(salt)
        + '$'
        + b64.encodeToString(storedKey)
        + ':'
        + b64.encodeToString(serverKey);
  }

  @Override
  public byte[] salt() {
    return salt.clone();
  }

  @Override
  public byte[] storedKey() {
    return storedKey.clone();
  }

  @Override
  public byte[] serverKey() {
    return serverKey.clone();
  }

  /** Whether {@code password} is the one this credential was derived from (constant time). */
  public boolean matches(String password) {
    byte[] salted;
    try {
      salted = saltedPassword(password, salt, iterations);
    } catch (IllegalArgumentException e) {
      return false;
    }
    return MessageDigest.isEqual(sha256(hmac(salted, "Client Key")), storedKey);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ScramCredential c
        && iterations == c.iterations
        && Arrays.equals(salt, c.salt)
        && MessageDigest.isEqual(storedKey, c.storedKey)
        && MessageDigest.isEqual(serverKey, c.serverKey);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(salt) + iterations;
  }

  @Override
  public String toString() {
    return "ScramCredential[iterations=" + iterations + ", keys=****]";
  }

  // ---------------------------------------------------------------- primitives (RFC 5802)

  /** {@code Hi(Normalize(password), salt, i)}: PBKDF2 with HMAC-SHA-256. */
  static byte[] saltedPassword(String password, byte[] salt, int iterations) {
    String prepared = SaslPrep.prepare(password);
    if (prepared.isEmpty()) {
      throw new IllegalArgumentException("password must not be empty");
    }
    char[] chars = prepared.toCharArray();
    PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, 256);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available", e);
    } finally {
      spec.clearPassword();
      Arrays.fill(chars, '\0');
    }
  }

  static byte[] hmac(byte[] key, String text) {
    return hmac(key, text.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
