/** {@code @SmtpListener} methods: discovery, signature checks and the handler that calls them. */
@NullMarked
package io.smtpprotocol.spring.listener;

import org.jspecify.annotations.NullMarked;
