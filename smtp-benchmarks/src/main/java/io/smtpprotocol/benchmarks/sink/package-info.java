/** A runnable SMTP sink that load tests compare with other servers. */
@NullMarked
package io.smtpprotocol.benchmarks.sink;

import org.jspecify.annotations.NullMarked;
