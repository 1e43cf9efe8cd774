package io.smtpprotocol.tls;

/** How a listener uses TLS. */
public enum TlsMode {
  /** Plaintext only: STARTTLS is not offered. */
  NONE,
  /** Plaintext first; STARTTLS (RFC 3207) upgrades the connection. */
  STARTTLS,
  /** TLS from the first octet (RFC 8314, "submissions" on port 465). */
  IMPLICIT
}
