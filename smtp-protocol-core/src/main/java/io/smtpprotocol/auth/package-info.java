/**
 * SMTP AUTH (RFC 4954): the {@link io.smtpprotocol.auth.Authenticator} SPI that checks credentials,
 * and the server side of the SASL mechanisms PLAIN, LOGIN, CRAM-MD5, XOAUTH2 and SCRAM-SHA-256.
 */
@NullMarked
package io.smtpprotocol.auth;

import org.jspecify.annotations.NullMarked;
