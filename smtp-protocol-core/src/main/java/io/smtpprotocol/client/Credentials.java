package io.smtpprotocol.client;

import org.jspecify.annotations.Nullable;

/**
 * What the client authenticates with (RFC 4954).
 *
 * @param username the user name
 * @param secret the password, or the OAuth 2.0 access token for XOAUTH2
 * @param mechanism the SASL mechanism to use, or {@code null} to take the strongest the server
 *     offers of SCRAM-SHA-256, CRAM-MD5, PLAIN and LOGIN
 */
public record Credentials(String username, String secret, @Nullable String mechanism) {

  public Credentials {
    Values.check("username", username);
    Values.check("secret", secret);
    if (username.isEmpty()) {
      throw new IllegalArgumentException("username must not be empty");
    }
    if (mechanism != null) {
      Values.check("mechanism", mechanism);
    }
  }

  /** A user name and password, the mechanism picked from what the server offers. */
  public static Credentials of(String username, String password) {
    return new Credentials(username, password, null);
  }

  @Override
  public String toString() {
    return "Credentials[username=" + username + ", secret=****, mechanism=" + mechanism + "]";
  }
}
