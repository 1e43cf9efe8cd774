/** The SMTP server's lifecycle in an application context: start, graceful stop, the bound port. */
@NullMarked
package io.smtpprotocol.spring.context;

import org.jspecify.annotations.NullMarked;
