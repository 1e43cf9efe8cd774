package io.smtpprotocol.handler;

import io.smtpprotocol.protocol.MailParameters;
import io.smtpprotocol.protocol.Mailbox;

/**
 * An accepted recipient and its RCPT TO parameters.
 *
 * @param mailbox the recipient
 * @param parameters the RCPT TO parameters
 */
public record Recipient(Mailbox mailbox, MailParameters parameters) {}
