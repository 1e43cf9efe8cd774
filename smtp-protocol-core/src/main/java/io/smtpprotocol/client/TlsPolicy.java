package io.smtpprotocol.client;

/** Whether the client upgrades a plaintext connection with STARTTLS (RFC 3207). */
public enum TlsPolicy {
  /** Never: the session stays in plaintext. */
  NONE,
  /** When the server offers STARTTLS; plaintext otherwise or when the server refuses it. */
  OPPORTUNISTIC,
  /** Always: a server without STARTTLS, or one that refuses it, fails the session. */
  REQUIRED
}
