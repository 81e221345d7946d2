-- wrk script: GETs of the feeds listed in a file (a path and its ETag a
-- line), in turn, so that no token's request limit is the bench's limit
-- (bench/feed.sh).  wrk ... -s bench/feed.lua URL -- LIST [304]: with
-- 304, each request carries its feed's ETag in If-None-Match, and the
-- answers other than 304 are counted and printed at the end.
local reqs = {}
local n, i = 0, 0
local threads = {}

function setup(thread)
	table.insert(threads, thread)
end

function init(args)
	local conditional = args[2] == "304"
	for line in io.lines(args[1]) do
		local path, etag = line:match("^(%S+)%s+(%S+)$")
		if path then
			n = n + 1
			local headers = {}
			if conditional then
				headers["If-None-Match"] = etag
			end
			-- Formatted once: wrk's threads share the daemon's 2 cores.
			reqs[n] = wrk.format("GET", path, headers)
		end
	end
	i = math.random(n) - 1
	not304 = 0
	if conditional then
		-- Only then: a response callback makes wrk hand every body to Lua.
		response = function(status)
			if status ~= 304 then
				not304 = not304 + 1
			end
		end
	end
end

function request()
	i = i % n + 1
	return reqs[i]
end

function done()
	local bad = 0
	for _, t in ipairs(threads) do
		bad = bad + (t:get("not304") or 0)
	end
	io.write(string.format("not 304: %d\n", bad))
end
