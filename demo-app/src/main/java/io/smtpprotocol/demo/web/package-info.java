/** The HTTP API over the message store. */
@NullMarked
package io.smtpprotocol.demo.web;

import org.jspecify.annotations.NullMarked;
