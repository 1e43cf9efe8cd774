package io.smtpprotocol.demo.web;

import io.smtpprotocol.demo.maildir.MaildirStore;
import io.smtpprotocol.demo.maildir.MessageIds;
import io.smtpprotocol.demo.maildir.RawMessage;
import io.smtpprotocol.demo.maildir.StoredMessage;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/** The messages in the store, over HTTP. */
@RestController
@RequestMapping("/api/messages")
class MessageController {

  static final MediaType MESSAGE_RFC822 = MediaType.parseMediaType("message/rfc822");

  private final MaildirStore store;
  private final MessageContentReader contentReader = new MessageContentReader();

  MessageController(MaildirStore store) {
    this.store = store;
  }

  /** Every message, newest first; at most {@code limit} of them when given. */
  @GetMapping
  List<StoredMessage> list(@RequestParam(required = false) Integer limit) throws IOException {
    List<StoredMessage> messages = store.list();
    if (limit != null) {
      if (limit < 0) {
        throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "limit must not be negative");
      }
      return messages.subList(0, Math.min(limit, messages.size()));
    }
    return messages;
  }

  @GetMapping("/{id}")
  StoredMessage message(@PathVariable String id) throws IOException {
    return store.find(checked(id)).orElseThrow(MessageController::notFound);
  }

  /** The header fields and text of a message, for the web page. */
  @GetMapping("/{id}/content")
  MessageContent content(@PathVariable String id) throws IOException {
    Path file = store.file(checked(id)).orElseThrow(MessageController::notFound);
    return contentReader.read(file);
  }

  /**
   * The message exactly as received. Its bytes are whatever the client sent, so a browser gets them
   * as a file to save ({@code attachment}, a {@code .eml} for a mail program), never as a page:
   * with {@code nosniff} it does not guess another type, and the sandbox policy holds should it
   * render the message anyway.
   */
  @GetMapping("/{id}/raw")
  ResponseEntity<StreamingResponseBody> raw(@PathVariable String id, HttpServletResponse servlet)
      throws IOException {
    RawMessage raw = store.raw(checked(id)).orElseThrow(MessageController::notFound);
    servlet.setHeader(
        SecurityHeadersFilter.CONTENT_SECURITY_POLICY, SecurityHeadersFilter.SANDBOX_POLICY);
    ResponseEntity.BodyBuilder response =
        ResponseEntity.ok()
            .contentType(MESSAGE_RFC822)
            .header(
                HttpHeaders.CONTENT_DISPOSITION,
                ContentDisposition.attachment().filename(id + ".eml").build().toString());
    if (raw.size() >= 0) {
      response.contentLength(raw.size());
    }
    return response.body(raw::transferTo);
  }

  @DeleteMapping
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void deleteAll() throws IOException {
    store.clear();
  }

  private static String checked(String id) {
    if (!MessageIds.isValid(id)) {
      throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "malformed message id");
    }
    return id;
  }

  private static ResponseStatusException notFound() {
    return new ResponseStatusException(HttpStatus.NOT_FOUND, "no such message");
  }
}
