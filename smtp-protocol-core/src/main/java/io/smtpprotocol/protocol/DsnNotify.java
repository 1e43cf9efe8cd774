package io.smtpprotocol.protocol;

/** A condition of the RCPT parameter {@code NOTIFY} (RFC 3461 section 4.1). */
public enum DsnNotify {
  /** No notification at all; stands alone. */
  NEVER,
  /** Notify on delivery. */
  SUCCESS,
  /** Notify on failure. */
  FAILURE,
  /** Notify on delay. */
  DELAY
}
