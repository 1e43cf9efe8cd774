package io.smtpprotocol.test;

import io.smtpprotocol.handler.SmtpHandler;
import io.smtpprotocol.protocol.Reply;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The scripted behaviour of one server, set by the test thread and read by handler threads. Every
 * field is safe to read and write from any thread; {@link #clear()} returns to plain acceptance.
 */
final class Script {

  private final Map<String, Reply> recipientReplies = new ConcurrentHashMap<>();
  private final Map<Integer, Reply> messageReplies = new ConcurrentHashMap<>();
  private final Set<Integer> drops = ConcurrentHashMap.newKeySet();
  private final Map<SmtpHandler.Event, Duration> delays = new ConcurrentHashMap<>();
  private final AtomicInteger messages = new AtomicInteger();
  private volatile boolean refuseStartTls;
  private volatile boolean requireAuth;

  void rejectRecipient(String address, Reply reply) {
    recipientReplies.put(address.toLowerCase(Locale.ROOT), reply);
  }

  @Nullable Reply recipientReply(String address) {
    return recipientReplies.get(address.toLowerCase(Locale.ROOT));
  }

  void replyToMessage(int number, Reply reply) {
    messageReplies.put(number, reply);
  }

  @Nullable Reply messageReply(int number) {
    return messageReplies.get(number);
  }

  void dropDuringData(int number) {
    drops.add(number);
  }

  boolean dropsDuringData(int number) {
    return drops.contains(number);
  }

  void delay(SmtpHandler.Event event, Duration delay) {
    delays.put(event, delay);
  }

  @Nullable Duration delayOf(SmtpHandler.Event event) {
    return delays.get(event);
  }

  /** Counts a message whose content has arrived; returns its number from 1. */
  int nextMessage() {
    return messages.incrementAndGet();
  }

  void refuseStartTls(boolean refuse) {
    refuseStartTls = refuse;
  }

  boolean refusesStartTls() {
    return refuseStartTls;
  }

  void requireAuth(boolean require) {
    requireAuth = require;
  }

  boolean requiresAuth() {
    return requireAuth;
  }

  void clear() {
    recipientReplies.clear();
    messageReplies.clear();
    drops.clear();
    delays.clear();
    messages.set(0);
    refuseStartTls = false;
    requireAuth = false;
  }
}
