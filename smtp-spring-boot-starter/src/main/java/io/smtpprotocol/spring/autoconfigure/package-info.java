/**
 * Auto-configuration of the SMTP server, its metrics and health, and the {@code smtp.server.*}
 * properties.
 */
@NullMarked
package io.smtpprotocol.spring.autoconfigure;

import org.jspecify.annotations.NullMarked;
