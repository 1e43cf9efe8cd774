/** The SMTP client in Spring: SSL bundles for it and a JavaMailSender over its pool. */
@NullMarked
package io.smtpprotocol.spring.client;

import org.jspecify.annotations.NullMarked;
