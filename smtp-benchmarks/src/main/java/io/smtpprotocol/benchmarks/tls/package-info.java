/** A load driver for STARTTLS sessions, against this server and SubEthaSMTP. */
@NullMarked
package io.smtpprotocol.benchmarks.tls;

import org.jspecify.annotations.NullMarked;
