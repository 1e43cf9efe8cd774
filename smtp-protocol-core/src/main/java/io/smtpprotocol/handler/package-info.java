/** The application side of the server: handler events answered with decisions. */
@NullMarked
package io.smtpprotocol.handler;

import org.jspecify.annotations.NullMarked;
