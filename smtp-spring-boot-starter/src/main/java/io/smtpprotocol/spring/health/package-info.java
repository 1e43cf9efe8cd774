/** Actuator health of the SMTP server. */
@NullMarked
package io.smtpprotocol.spring.health;

import org.jspecify.annotations.NullMarked;
