package io.smtpprotocol.server;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.smtpprotocol.handler.SmtpHandler;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The application's objects a server calls for every session, as the builder was given them: kept
 * apart from {@link ServerConfig}, which is public and describes what the server is and offers, so
 * that code holding the server cannot reach its handler, executor or observer through it.
 *
 * @param handler the application's handler
 * @param handlerExecutor where handler methods run, or null for the server's own pool
 * @param observer receives events for metrics
 */
record ServerParts(
    SmtpHandler handler, @Nullable Executor handlerExecutor, SmtpServerObserver observer) {

  /**
   * The pool a server owns when it was given no executor: up to {@code threads} daemon threads, no
   * queue (beyond them, events get {@code 451}), idle threads ended after a minute.
   */
  static ExecutorService handlerPool(int threads) {
    return new ThreadPoolExecutor(
        0,
        threads,
        60,
        TimeUnit.SECONDS,
        new SynchronousQueue<>(),
        new DefaultThreadFactory("smtp-handler", true));
  }
}
