/** JMH benchmarks of the command parser and the input decoder. */
@NullMarked
package io.smtpprotocol.benchmarks.jmh;

import org.jspecify.annotations.NullMarked;
