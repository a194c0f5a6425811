import { Secret } from "./src/Secret.ts"
console.log(Secret.toIdl(new Secret({ group: "grp", key: "key" })), Secret.toIdl(new Secret({ group: "grp", groupVersion: "v1", mountRequirement: "FILE", envVar: "X" })))
console.log(Secret.fromIdl({ group: "g", key: "", group_version: "v1", mount_requirement: 2, env_var: "" }))
try { Secret.fromIdl({ group: "g", mountRequirement: 7 }) } catch (e: any) { console.log(e.message) }
try { Secret.fromIdl("x") } catch (e: any) { console.log(e.message) }
