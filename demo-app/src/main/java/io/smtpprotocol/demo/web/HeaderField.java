package io.smtpprotocol.demo.web;

/**
 * One header field of a message, its value decoded and unfolded.
 *
 * @param name the field name
 * @param value the decoded value
 */
public record HeaderField(String name, String value) {}
