/** The demo's SMTP side: listener methods on the starter's server. */
@NullMarked
package io.smtpprotocol.demo.smtp;

import org.jspecify.annotations.NullMarked;
