/**
 * A Maildir message store: durable delivery (a message is on disk before it is acknowledged), the
 * envelope kept beside each message, and the exact received bytes on demand.
 */
@NullMarked
package io.smtpprotocol.demo.maildir;

import org.jspecify.annotations.NullMarked;
