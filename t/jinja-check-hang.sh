#!/bin/sh
# t/jinja-check-hang.sh -- the test stack's jinja_check (run-tests.sh): the
# real checker, src/libexec/hangar-jinja-check, except that a template
# holding HANGAR-TEST-HANG makes it hang, so that a test can see hangard
# kill a checker at jinja_check_timeout and answer in time.
in=$(cat; echo x)	# the x keeps trailing newlines
in=${in%x}
case $in in
*HANGAR-TEST-HANG*)
	exec sleep 60 ;;
esac
printf '%s' "$in" | "$(dirname "$0")/../src/libexec/hangar-jinja-check" "$@"
