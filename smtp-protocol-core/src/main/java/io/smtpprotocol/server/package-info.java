/** The SMTP server: builder, limits, per-connection session info and per-transaction envelope. */
@NullMarked
package io.smtpprotocol.server;

import org.jspecify.annotations.NullMarked;
