package io.smtpprotocol.demo.web;

import java.util.List;

/**
 * What the web page shows of a message: its header fields and its text.
 *
 * @param headers the header fields, in order
 * @param text the first text part, decoded (text/plain preferred)
 * @param contentType the content type of that part, empty when there is none
 * @param truncated whether the text was cut at the size the page shows
 */
public record MessageContent(
    List<HeaderField> headers, String text, String contentType, boolean truncated) {

  public MessageContent {
    headers = List.copyOf(headers);
  }
}
