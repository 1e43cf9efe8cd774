package io.smtpprotocol.demo.maildir;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A message in the store, as the API shows it.
 *
 * @param id the Maildir unique name of the message file
 * @param from the envelope sender, empty for the null sender
 * @param recipients the envelope recipients
 * @param size the exact size of the message as received, in bytes
 * @param subject the decoded Subject header, empty when there is none
 * @param receivedAt when the message was received
 * @param remoteAddress the client's address
 * @param remotePort the client's TCP port, or {@code null} when it has none (a Unix socket) or was
 *     not recorded (messages stored by an earlier version)
 * @param tls whether the message came over TLS
 * @param authenticatedUser the user the client authenticated as, or {@code null}
 */
public record StoredMessage(
    String id,
    String from,
    List<String> recipients,
    long size,
    String subject,
    Instant receivedAt,
    String remoteAddress,
    @Nullable Integer remotePort,
    boolean tls,
    @Nullable String authenticatedUser) {

  public StoredMessage {
    recipients = List.copyOf(recipients);
  }

  /** A message from a client whose port is not known. */
  public StoredMessage(
      String id,
      String from,
      List<String> recipients,
      long size,
      String subject,
      Instant receivedAt,
      String remoteAddress,
      boolean tls,
      @Nullable String authenticatedUser) {
    this(
        id,
        from,
        recipients,
        size,
        subject,
        receivedAt,
        remoteAddress,
        null,
        tls,
        authenticatedUser);
  }
}
