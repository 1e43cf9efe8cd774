/**
 * An in-process SMTP server for tests: {@link io.smtpprotocol.test.SmtpTestServer} records what
 * arrives as {@link io.smtpprotocol.test.ReceivedMessage}s and plays scripted faults.
 */
@NullMarked
package io.smtpprotocol.test;

import org.jspecify.annotations.NullMarked;
