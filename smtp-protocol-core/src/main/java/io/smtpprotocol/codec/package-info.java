/** Netty framing for SMTP: command lines, DATA with dot-unstuffing, BDAT chunks, replies. */
@NullMarked
package io.smtpprotocol.codec;

import org.jspecify.annotations.NullMarked;
