# Thin wrappers around quickstart.sh (which installs what is missing, then builds into ./build).
.PHONY: all demo check build bench clean
all: build
build:
	./quickstart.sh build
demo:
	./quickstart.sh demo
check:
	./quickstart.sh check
bench: build
	meson test -C build --benchmark -v
clean:
	rm -rf build
