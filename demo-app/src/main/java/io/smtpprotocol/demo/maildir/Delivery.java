package io.smtpprotocol.demo.maildir;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The envelope of a message being delivered.
 *
 * @param from the envelope sender, empty for the null sender
 * @param recipients the envelope recipients, in order
 * @param remoteAddress the client's address
 * @param remotePort the client's TCP port, or {@code null} when it has none (a Unix socket)
 * @param tls whether the message came over TLS
 * @param authenticatedUser the user the client authenticated as, or {@code null}
 * @param receivedAt when the message was received
 */
public record Delivery(
    String from,
    List<String> recipients,
    String remoteAddress,
    @Nullable Integer remotePort,
    boolean tls,
    @Nullable String authenticatedUser,
    Instant receivedAt) {

  public Delivery {
    recipients = List.copyOf(recipients);
  }

  /** A delivery from a client whose port is not known. */
  public Delivery(
      String from,
      List<String> recipients,
      String remoteAddress,
      boolean tls,
      @Nullable String authenticatedUser,
      Instant receivedAt) {
    this(from, recipients, remoteAddress, null, tls, authenticatedUser, receivedAt);
  }
}
