/**
 * TLS for SMTP: the modes ({@link io.smtpprotocol.tls.TlsMode}), the server's settings, SSL context
 * construction ({@link io.smtpprotocol.tls.SslContexts}) and the details of a negotiated session
 * ({@link io.smtpprotocol.tls.TlsInfo}). The STARTTLS upgrade itself is done by the server's
 * session.
 */
@NullMarked
package io.smtpprotocol.tls;

import org.jspecify.annotations.NullMarked;
