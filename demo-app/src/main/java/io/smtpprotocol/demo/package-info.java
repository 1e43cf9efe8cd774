/** The demo application: inbound mail into a Maildir, served by a REST API and a web page. */
@NullMarked
package io.smtpprotocol.demo;

import org.jspecify.annotations.NullMarked;
