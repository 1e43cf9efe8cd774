/**
 * The SMTP client: {@link io.smtpprotocol.client.SmtpClient} opens {@link
 * io.smtpprotocol.client.SmtpConnection}s, whose every command returns a {@code
 * CompletionStage<Reply>} matched to its reply in order, so commands pipeline naturally; {@link
 * io.smtpprotocol.client.SmtpConnection#send} runs a whole transaction by the RFCs, and {@link
 * io.smtpprotocol.client.SmtpClientPool} keeps connections for reuse.
 */
@NullMarked
package io.smtpprotocol.client;

import org.jspecify.annotations.NullMarked;
