/** A minimal Spring Boot application on the starter that drains every message. */
@NullMarked
package io.smtpprotocol.benchmarks.startersink;

import org.jspecify.annotations.NullMarked;
