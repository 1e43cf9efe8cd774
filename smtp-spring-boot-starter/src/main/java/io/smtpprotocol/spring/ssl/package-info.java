/** TLS for the SMTP server from Spring Boot SSL bundles. */
@NullMarked
package io.smtpprotocol.spring.ssl;

import org.jspecify.annotations.NullMarked;
