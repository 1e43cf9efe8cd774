package io.smtpprotocol.server;

import java.time.Duration;

/**
 * Every bound the server keeps, with sane defaults ({@link #DEFAULTS}).
 *
 * @param maxLineLength longest command line in octets, CRLF included (default 1000; longer lines
 *     get {@code 500 5.5.6})
 * @param maxMessageSize largest message body in octets (default 10 MiB; advertised as SIZE)
 * @param maxRecipients recipients per transaction (default 100; more get {@code 452 4.5.3})
 * @param maxConnections simultaneous connections (default 1000)
 * @param maxConnectionsPerIp simultaneous connections from one client address (default 50)
 * @param maxBadCommands erroneous commands before {@code 421} and close (default 10)
 * @param idleTimeout time without input before {@code 421 4.4.2} and close (default 5 minutes)
 * @param sessionTimeout longest life of a connection (default 30 minutes)
 * @param handlerTimeout how long one handler decision may take (default 5 minutes)
 * @param greetingDelay time before the greeting; input within it is refused as an early talker
 *     (default zero)
 * @param bodyBufferSize octets of message body buffered per connection before reading pauses
 *     (default 32 KiB)
 * @param writeBufferSize octets of replies queued for a connection before the server stops reading
 *     its commands until the client has taken them (default 64 KiB; reading resumes below half)
 * @param maxMessagesPerSession mail transactions one connection may start; MAIL beyond them gets
 *     {@code 421 4.7.0} and the connection closes (default 0: no limit but the session timeout;
 *     when set, advertised as {@code LIMITS MAILMAX})
 */
public record Limits(
    int maxLineLength,
    long maxMessageSize,
    int maxRecipients,
    int maxConnections,
    int maxConnectionsPerIp,
    int maxBadCommands,
    Duration idleTimeout,
    Duration sessionTimeout,
    Duration handlerTimeout,
    Duration greetingDelay,
    int bodyBufferSize,
    int writeBufferSize,
    int maxMessagesPerSession) {

  public static final Limits DEFAULTS =
      new Limits(
          1000,
          10L * 1024 * 1024,
          100,
          1000,
          50,
          10,
          Duration.ofMinutes(5),
          Duration.ofMinutes(30),
          Duration.ofMinutes(5),
          Duration.ZERO,
          32 * 1024,
          64 * 1024,
          0);

  public Limits {
    positive(maxLineLength, "maxLineLength");
    if (maxLineLength < 512) {
      throw new IllegalArgumentException(
          "maxLineLength must be at least 512 (RFC 5321): " + maxLineLength);
    }
    if (maxMessageSize <= 0) {
      throw new IllegalArgumentException("maxMessageSize must be positive: " + maxMessageSize);
    }
    positive(maxRecipients, "maxRecipients");
    positive(maxConnections, "maxConnections");
    positive(maxConnectionsPerIp, "maxConnectionsPerIp");
    positive(maxBadCommands, "maxBadCommands");
    positive(idleTimeout, "idleTimeout");
    positive(sessionTimeout, "sessionTimeout");
    positive(handlerTimeout, "handlerTimeout");
    if (greetingDelay.isNegative()) {
      throw new IllegalArgumentException("greetingDelay must not be negative: " + greetingDelay);
    }
    if (bodyBufferSize < 1024) {
      throw new IllegalArgumentException("bodyBufferSize must be at least 1024: " + bodyBufferSize);
    }
    if (maxMessagesPerSession < 0) {
      throw new IllegalArgumentException(
          "maxMessagesPerSession must not be negative: " + maxMessagesPerSession);
    }
    if (writeBufferSize < 1024) {
      throw new IllegalArgumentException(
          "writeBufferSize must be at least 1024: " + writeBufferSize);
    }
  }

  private static void positive(int value, String name) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
  }

  private static void positive(Duration value, String name) {
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
  }

  public Limits withMaxLineLength(int v) {
    return new Limits(
        v,
        maxMessageSize,
        maxRecipients,
        maxConnections,
        maxConnectionsPerIp,
        maxBadCommands,
        idleTimeout,
        sessionTimeout,
        handlerTimeout,
        greetingDelay,
        bodyBufferSize,
        writeBufferSize,
        maxMessagesPerSession);
  }

  public Limits withMaxMessageSize(long v) {
    return new Limits(
        maxLineLength,
        v,
        maxRecipients,
        maxConnections,
        maxConnectionsPerIp,
        maxBadCommands,
        idleTimeout,
        sessionTimeout,
        handlerTimeout,
        greetingDelay,
        bodyBufferSize,
        writeBufferSize,
        maxMessagesPerSession);
  }

  public Limits withMaxRecipients(int v) {
    return new Limits(
        maxLineLength,
        maxMessageSize,
        v,
        maxConnections,
        maxConnectionsPerIp,
        maxBadCommands,
        idleTimeout,
        sessionTimeout,
        handlerTimeout,
        greetingDelay,
        bodyBufferSize,
        writeBufferSize,
        maxMessagesPerSession);
  }

  public Limits withMaxConnections(int v) {
    return new Limits(
        maxLineLength,
        maxMessageSize,
        maxRecipients,
        v,
        maxConnectionsPerIp,
        maxBadCommands,
        idleTimeout,
        sessionTimeout,
        handlerTimeout,
        greetingDelay,
        bodyBufferSize,
        writeBufferSize,
        maxMessagesPerSession);
  }

  public Limits withMaxConnectionsPerIp(int v) {
    return new Limits(
        maxLineLength,
        maxMessageSize,
        maxRecipients,
        maxConnections,
        v,
        maxBadCommands,
        idleTimeout,
        sessionTimeout,
        handlerTimeout,
        greetingDelay,
        bodyBufferSize,
        writeBufferSize,
        maxMessagesPerSession);
  }

  public Limits withMaxBadCommands(int v) {
    return new Limits(
        maxLineLength,
        maxMessageSize,
        maxRecipients,
        maxConnections,
        maxConnectionsPerIp,
        v,
        idleTimeout,
        sessionTimeout,
        handlerTimeout,
        greetingDelay,
        bodyBufferSize,
        writeBufferSize,
        maxMessagesPerSession);
  }

  public Limits withIdleTimeout(Duration v) {
    return new Limits(
        maxLineLength,
        maxMessageSize,
        maxRecipients,
        maxConnections,
        maxConnectionsPerIp,
        maxBadCommands,
        v,
        sessionTimeout,
        handlerTimeout,
        greetingDelay,
        bodyBufferSize,
        writeBufferSize,
        maxMessagesPerSession);
  }

  public Limits withSessionTimeout(Duration v) {
    return new Limits(
        maxLineLength,
        maxMessageSize,
        maxRecipients,
        maxConnections,
        maxConnectionsPerIp,
        maxBadCommands,
        idleTimeout,
        v,
        handlerTimeout,
        greetingDelay,
        bodyBufferSize,
        writeBufferSize,
        maxMessagesPerSession);
  }

  public Limits withHandlerTimeout(Duration v) {
    return new Limits(
        maxLineLength,
        maxMessageSize,
        maxRecipients,
        maxConnections,
        maxConnectionsPerIp,
        maxBadCommands,
        idleTimeout,
        sessionTimeout,
        v,
        greetingDelay,
        bodyBufferSize,
        writeBufferSize,
        maxMessagesPerSession);
  }

  public Limits withGreetingDelay(Duration v) {
    return new Limits(
        maxLineLength,
        maxMessageSize,
        maxRecipients,
        maxConnections,
        maxConnectionsPerIp,
        maxBadCommands,
        idleTimeout,
        sessionTimeout,
        handlerTimeout,
        v,
        bodyBufferSize,
        writeBufferSize,
        maxMessagesPerSession);
  }

  public Limits withBodyBufferSize(int v) {
    return new Limits(
        maxLineLength,
        maxMessageSize,
        maxRecipients,
        maxConnections,
        maxConnectionsPerIp,
        maxBadCommands,
        idleTimeout,
        sessionTimeout,
        handlerTimeout,
        greetingDelay,
        v,
        writeBufferSize,
        maxMessagesPerSession);
  }

  public Limits withWriteBufferSize(int v) {
    return new Limits(
        maxLineLength,
        maxMessageSize,
        maxRecipients,
        maxConnections,
        maxConnectionsPerIp,
        maxBadCommands,
        idleTimeout,
        sessionTimeout,
        handlerTimeout,
        greetingDelay,
        bodyBufferSize,
        v,
        maxMessagesPerSession);
  }

  public Limits withMaxMessagesPerSession(int v) {
    return new Limits(
        maxLineLength,
        maxMessageSize,
        maxRecipients,
        maxConnections,
        maxConnectionsPerIp,
        maxBadCommands,
        idleTimeout,
        sessionTimeout,
        handlerTimeout,
        greetingDelay,
        bodyBufferSize,
        writeBufferSize,
        v);
  }
}
