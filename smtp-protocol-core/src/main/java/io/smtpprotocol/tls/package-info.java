/** TLS for SMTP: modes, session TLS details, the STARTTLS upgrade. */
@NullMarked
package io.smtpprotocol.tls;

import org.jspecify.annotations.NullMarked;
