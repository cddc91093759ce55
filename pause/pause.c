/*
 * podd's pod sandbox ("infra") process. It holds the pod's namespaces open,
 * and as PID 1 of a shared PID namespace it reaps orphaned zombies.
 * Behaviour mirrors the Kubernetes pause container (see kubernetes-semantics.md 5.1).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef VERSION
#define VERSION 0.1.0
#endif
#define STR_(x) #x
#define STR(x) STR_(x)

static void on_shutdown(int sig) {
	psignal(sig, "Shutting down, got signal");
	exit(0);
}

/* One SIGCHLD may stand for several exits (signals coalesce), so drain them all. */
static void on_child(int sig) {
	(void)sig;
	while (waitpid(-1, NULL, WNOHANG) > 0) {
	}
}

static int install(int sig, void (*handler)(int), int flags) {
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

int main(int argc, char **argv) {
	for (int i = 1; i < argc; i++) {
		if (strcasecmp(argv[i], "-v") == 0) {
			printf("pause.c %s\n", STR(VERSION));
			return 0;
		}
	}

	/* Only a warning: pause is also useful outside a fresh PID namespace. */
	if (getpid() != 1)
		fprintf(stderr, "Warning: pause should be the first process\n");

	if (install(SIGINT, on_shutdown, 0) < 0)
		return 1;
	if (install(SIGTERM, on_shutdown, 0) < 0)
		return 2;
	if (install(SIGCHLD, on_child, SA_NOCLDSTOP) < 0)
		return 3;

	for (;;)
		pause();

	fprintf(stderr, "Error: infinite loop terminated\n");
	return 42;
}
