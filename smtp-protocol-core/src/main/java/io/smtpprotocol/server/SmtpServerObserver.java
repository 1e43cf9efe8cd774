package io.smtpprotocol.server;

import java.time.Duration;

/**
 * Receives what a server does, for metrics. Methods are called on event loops and must be quick and
 * must not throw; all have empty defaults. Values passed are low-cardinality: verbs, codes,
 * outcomes, sizes; never addresses or user names.
 */
public interface SmtpServerObserver {

  /** The no-op observer. */
  SmtpServerObserver NONE = new SmtpServerObserver() {};

  /** Why a connection ended or was refused. */
  enum ConnectionOutcome {
    /** Accepted and served. */
    ACCEPTED,
    /** Refused by a connection limit. */
    LIMITED,
    /** Refused by the connect handler. */
    REJECTED
  }

  /** How a message ended. */
  enum MessageOutcome {
    /** The handler accepted it. */
    ACCEPTED,
    /** The handler rejected it. */
    REJECTED,
    /** It failed: too large, malformed, handler failure or lost connection. */
    FAILED
  }

  /** A connection was accepted, limited or rejected. */
  default void connectionOpened(ConnectionOutcome outcome) {}

  /** A connection that was {@link ConnectionOutcome#ACCEPTED} closed. */
  default void connectionClosed() {}

  /** A command was answered. */
  default void command(String verb, int replyCode) {}

  /** A message transaction ended. */
  default void message(MessageOutcome outcome, long size, Duration transactionDuration) {}

  /** A TLS handshake ended. */
  default void tlsHandshake(boolean success) {}

  /** An AUTH exchange ended. */
  default void auth(String mechanism, boolean success) {}

  /**
   * An AUTH command was refused because its client address has used up its budget of failed
   * attempts ({@code 454 4.7.0}).
   */
  default void authThrottled() {}
}
