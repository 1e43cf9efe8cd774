/** A load driver that sends messages through the SMTP client, for comparison with other clients. */
@NullMarked
package io.smtpprotocol.benchmarks.client;

import org.jspecify.annotations.NullMarked;
