-- POST /api/v1/detect in a closed loop for bench/load.py (phase a2):
--
--   wrk -t T -c C -d S --latency -s bench/wrk_detect.lua URL -- \
--       INDEX T PATH CONTENT_TYPE RECORDS [AUTHORIZATION]
--
-- INDEX is a text file with one path per line, each a complete multipart body (all with the
-- boundary named in CONTENT_TYPE). Every thread reads them all in init and pre-builds one
-- request head per body; its `request` cycles through them, thread k starting at body
-- k * count / T (wrk's C connections are split over its T threads, C / T each).
--
-- Every request carries `X-Request-ID: wrk<thread>-<n>`, which both servers echo, and its
-- start time (CLOCK_MONOTONIC, through LuaJIT's ffi: the clock of Python's
-- time.perf_counter). `response` counts statuses per thread and, for an answer whose
-- X-Request-ID it sent, keeps (start, end, status). `done` prints the status counts as
-- lines "wrk-status THREAD STATUS COUNT" and "wrk-unmatched THREAD COUNT" (answers without
-- a known id), and writes the records to RECORDS, one "START END STATUS" line each (seconds),
-- so that load.py can measure a window after a warm-up: wrk's own statistics cover the
-- whole run, including the first second or so, when 64 fresh connections upload at once.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } wrk_detect_timespec;
int clock_gettime(int clock_id, wrk_detect_timespec *tp);
]]
local timespec = ffi.new("wrk_detect_timespec")
local CLOCK_MONOTONIC = 1

local function now()
   ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
   return tonumber(timespec.tv_sec) + tonumber(timespec.tv_nsec) * 1e-9
end

-- main state: the threads, for done()
local threads = {}

function setup(thread)
   thread:set("id", #threads)
   table.insert(threads, thread)
end

-- thread state
local heads, bodies = {}, {}
local next_index = 1
local prefix = "wrk"
local sequence = 0
local started = {}
statuses = {}
starts, ends, codes = {}, {}, {}
unmatched = 0
records_path = nil

function init(args)
   local index, nthreads, path, content_type, authorization = args[1], tonumber(args[2]), args[3], args[4], args[6]
   assert(index and nthreads and path and content_type and args[5],
          "usage: -- INDEX THREADS PATH CONTENT_TYPE RECORDS [AUTHORIZATION]")
   local host = wrk.host
   if wrk.port then host = host .. ":" .. wrk.port end
   local common = "POST " .. path .. " HTTP/1.1\r\nHost: " .. host .. "\r\nContent-Type: " .. content_type .. "\r\n"
   if authorization and authorization ~= "" then
      common = common .. "Authorization: " .. authorization .. "\r\n"
   end
   for file in io.lines(index) do
      if file ~= "" then
         local f = assert(io.open(file, "rb"))
         local body = f:read("*a")
         f:close()
         heads[#heads + 1] = common .. "Content-Length: " .. #body .. "\r\n"
         bodies[#bodies + 1] = body
      end
   end
   assert(#bodies > 0, "no bodies listed in " .. index)
   next_index = math.floor(id * #bodies / nthreads) % #bodies + 1
   prefix = "wrk" .. id .. "-"
   records_path = args[5]
end

function request()
   local k = next_index
   next_index = next_index % #bodies + 1
   sequence = sequence + 1
   local request_id = prefix .. sequence
   started[request_id] = now()
   return heads[k] .. "X-Request-ID: " .. request_id .. "\r\n\r\n" .. bodies[k]
end

function response(status, headers, body)
   local t = now()
   statuses[status] = (statuses[status] or 0) + 1
   local request_id = headers["X-Request-ID"] or headers["x-request-id"]
   if not request_id then
      for name, value in pairs(headers) do
         if string.lower(name) == "x-request-id" then request_id = value end
      end
   end
   local start = request_id and started[request_id]
   if start then
      started[request_id] = nil
      local n = #starts + 1
      starts[n], ends[n], codes[n] = start, t, status
   else
      unmatched = unmatched + 1
   end
end

function done(summary, latency, requests)
   for _, thread in ipairs(threads) do
      local id = thread:get("id")
      for status, count in pairs(thread:get("statuses") or {}) do
         io.write(string.format("wrk-status %d %d %d\n", id, status, count))
      end
      io.write(string.format("wrk-unmatched %d %d\n", id, thread:get("unmatched") or 0))
   end
   local path = threads[1] and threads[1]:get("records_path")  -- init's RECORDS argument
   if path and path ~= "" then
      local out = assert(io.open(path, "w"))
      for _, thread in ipairs(threads) do
         local s, e, c = thread:get("starts") or {}, thread:get("ends") or {}, thread:get("codes") or {}
         for k = 1, #s do
            out:write(string.format("%.6f %.6f %d\n", s[k], e[k], c[k]))
         end
      end
      out:close()
   end
end
