/** Micrometer meters for the SMTP server. */
@NullMarked
package io.smtpprotocol.spring.metrics;

import org.jspecify.annotations.NullMarked;
