/**
 * Spring test support: {@link io.smtpprotocol.test.spring.AutoConfigureSmtpTestServer} starts a
 * test server for the application context and points {@code spring.mail.*} at it.
 */
@NullMarked
package io.smtpprotocol.test.spring;

import org.jspecify.annotations.NullMarked;
