/* SPDX-License-Identifier: MIT */
#pragma once

int verb_policy(int argc, char **argv);
int verb_run(int argc, char **argv);
int verb_status(int argc, char **argv);
