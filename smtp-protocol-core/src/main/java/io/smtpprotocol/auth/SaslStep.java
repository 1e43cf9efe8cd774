package io.smtpprotocol.auth;

import io.smtpprotocol.protocol.Replies;
import io.smtpprotocol.protocol.Reply;

/** What a SASL exchange does next: challenge the client, or end in success or failure. */
public sealed interface SaslStep {

  /**
   * Send {@code 334} with this challenge (base64 on the wire) and wait for the client's response.
   */
  record Challenge(byte[] data) implements SaslStep {
    public Challenge {
      data = data.clone();
    }

    @Override
    public byte[] data() {
      return data.clone();
    }
  }

  /** The client authenticated as {@code identity}. */
  record Success(String identity) implements SaslStep {
    public Success {
      if (identity.isEmpty()) {
        throw new IllegalArgumentException("identity must not be empty");
      }
    }
  }

  /** The exchange failed with this reply. */
  record Failure(Reply reply) implements SaslStep {
    public Failure {
      if (reply.isPositive()) {
        throw new IllegalArgumentException("a failure needs a 4xx or 5xx reply: " + reply);
      }
    }
  }

  /** A challenge. */
  static SaslStep challenge(byte[] data) {
    return new Challenge(data);
  }

  /** A success. */
  static SaslStep success(String identity) {
    return new Success(identity);
  }

  /** Wrong credentials: {@code 535 5.7.8}. */
  static SaslStep failure() {
    return new Failure(Replies.AUTH_FAILED);
  }

  /** A failure with this reply. */
  static SaslStep failure(Reply reply) {
    return new Failure(reply);
  }

  /** A response that does not follow the mechanism's syntax: {@code 501 5.5.2}. */
  static SaslStep malformed() {
    return new Failure(Replies.AUTH_MALFORMED);
  }
}
