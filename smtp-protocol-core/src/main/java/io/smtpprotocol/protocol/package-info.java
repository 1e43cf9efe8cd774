/** SMTP model without Netty: commands, replies, addresses and parameters. */
@NullMarked
package io.smtpprotocol.protocol;

import org.jspecify.annotations.NullMarked;
