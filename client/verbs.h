/* SPDX-License-Identifier: MIT */
#pragma once

int verb_policy(int argc, char **argv);
