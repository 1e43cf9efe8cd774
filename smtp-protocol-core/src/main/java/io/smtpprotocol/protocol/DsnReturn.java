package io.smtpprotocol.protocol;

/** What a delivery status notification returns of the message: MAIL's {@code RET} (RFC 3461). */
public enum DsnReturn {
  /** The whole message. */
  FULL,
  /** Only its headers. */
  HDRS
}
